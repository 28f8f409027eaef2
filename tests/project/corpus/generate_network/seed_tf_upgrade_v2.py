"""Seed Paso 1.6 after tf_upgrade_v2 (script shipped with TF 2.21): tf.nn.dropout(x, keep_prob) becomes
tf.nn.dropout(x, rate=1 - (keep_prob)); get_variable becomes tf.compat.v1.get_variable; the rest as in the seed,
so this is seed_as_is_in_tf2.py with the one line the script rewrites beyond it."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = 'With the same seed weight 0 changes'

BASE = "seed_as_is_in_tf2.py"
EDITS = [
    ("previous_layer = tf.nn.dropout(previous_layer, dropout)",
     "previous_layer = tf.nn.dropout(previous_layer, rate=1 - (dropout))"),
]
