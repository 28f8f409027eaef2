"""What the kata's own tests share: the tiny kata the grader's tests grade, and trees of files
(`tiny_kata`, `trees`). Imported as `support.<module>` (pytest puts tests/project on the path)."""
