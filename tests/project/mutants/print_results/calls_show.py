"""Calls plt.show() before returning, as the course did.
"""

# Edits of solutions/ (its solution markers removed); each `old` must match exactly once.
EDITS = [
    (
        """        fig.savefig(path, dpi=100)
    return fig
""",
        """        fig.savefig(path, dpi=100)
    plt.show()
    return fig
""",
    ),
]
