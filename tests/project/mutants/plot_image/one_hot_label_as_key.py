"""Looks the class name up with the label as it came: a one-hot row is no key of the LABELS dict."""

EDITS = [("    number = int(np.argmax(label)) if label.ndim else int(label)\n",
          "    number = label if label.ndim else int(label)\n")]
