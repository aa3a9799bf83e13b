"""Knowledge turned into text: citations, checklists, pages, the site's tools and documents."""
