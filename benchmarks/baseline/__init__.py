"""The bare MkDocs Material baseline the benchmarks compare this site against."""
