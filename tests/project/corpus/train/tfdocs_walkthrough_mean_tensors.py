"""tensorflow/docs site/en/tutorials/customization/custom_training_walkthrough.ipynb: the epoch's loss and accuracy kept as
the metric results, tensors (train_loss_results.append(epoch_loss_avg.result())) and plotted later; here the batch values
stay tensors and so does each epoch's mean."""

# The first message a learner reads names this (English run); None: a correct way that must pass.
EXPECT = "Python floats were expected"

# Edits of solutions/train.py (its solution markers removed): the reference written this way.
EDITS = [("            loss, acc = float(loss), float(acc)\n", "")]
