"""Operations on a whole installation: `casefile verify`, `casefile backup` and `casefile restore`."""
