"""The ground floor: the data, validated and read-only, and the answers it gives by itself."""
