"""Read files and publishers' downloads into frames with canonical column names."""
