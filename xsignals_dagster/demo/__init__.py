"""Synthetic demo data: a retailer's landing zone plus the ground truth to score the pipeline against."""
