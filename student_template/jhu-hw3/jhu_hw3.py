# %% [markdown]
# # JHU EN.601.682 Deep Learning: Homework 3 (backpropagation)
#
# Fill in every name below and keep each name exactly as it is spelled.
# Leave the line `ASSIGNMENT = "jhu-hw3"` as it is: it tells the grader which homework this is.
#
# - A value starts as `None`. Its comment says its kind: a number, an array with its shape,
#   a choice from the listed options, a flag (`True` or `False`) or a text.
#   Numbers may be rounded to 3 decimals.
# - A function raises `NotImplementedError` until you write it. The grader calls it on the
#   homework's numbers and on random inputs, so it must work for any values of its arguments.
#   Use numpy.
# - A text is read by an instructor, not scored automatically.

# %%
import numpy as np

ASSIGNMENT = "jhu-hw3"

# %% [markdown]
# ## Question 1
#
# Let P = W X and L = f(P), where f is a loss.
#
# **(a)** Show that ∂L/∂W = ∂L/∂P · Xᵀ.
#
# Write your derivation in `Q1A_DERIVATION` and implement `grad_W`.

# %%
Q1A_DERIVATION = None  # text: the derivation of ∂L/∂W = ∂L/∂P · Xᵀ


def grad_W(dL_dP, X):
    """Return ∂L/∂W for P = W X, given ∂L/∂P.

    Inputs: dL_dP, an array of shape (m, n); X, an array of shape (k, n).
    Output: an array of shape (m, k).
    """
    raise NotImplementedError


# %% [markdown]
# **(b)** Take the L2 loss L(y, ŷ) = ‖y − ŷ‖², with
#
# - W = [[0.3, 0.5], [−0.2, 0.4]],
# - X = (x1, x2) = [[0, 2], [3, 1]]: the samples x1 and x2 are the **columns** of X,
# - Y = (y1, y2) = [[0.5, 1], [1, −1.5]]: the targets y1 and y2 are the columns of Y.
#
# Give W after one gradient-descent iteration with step size 0.1.
# The loss of the iteration is ‖Y − W X‖², summed over both samples.

# %%
Q1B_W_NEW = None  # array, shape (2, 2): W after one gradient-descent step


def l2_step(W, X, Y, lr):
    """Return W after one gradient-descent step on L = ‖Y − W X‖², summed over the columns.

    Inputs: W, an array of shape (m, k); X, an array of shape (k, n) whose columns are the
    samples; Y, an array of shape (m, n) whose columns are the targets; lr, the step size.
    Output: the new W, an array of shape (m, k). W, X and Y must not be changed.
    """
    raise NotImplementedError


# %% [markdown]
# ## Question 2
#
# A 1-D, 3-layer network with no bias: ŷ = σ(w3·σ(w2·σ(w1·x))), with σ the sigmoid,
# and the cross-entropy loss L = −(y log ŷ + (1 − y) log(1 − ŷ)).
#
# **(a)** Give the derivative of the sigmoid. What are its extrema (maximum and minimum),
# and where are they reached?


# %%
def sigmoid_prime(z):
    """Return σ'(z), the derivative of the sigmoid, elementwise.

    Input: z, a number or an array of any shape.
    Output: σ'(z), with the shape of z. It must be finite, with no nan, for |z| up to 1000.
    """
    raise NotImplementedError


Q2A_MAX = None  # number: the maximum of σ'
Q2A_ARGMAX = None  # number: the z where σ' reaches its maximum
Q2A_INF = None  # number: the infimum (greatest lower bound) of σ'
Q2A_INF_ATTAINED = None  # flag: True if σ' reaches its infimum at some z, else False

# %% [markdown]
# **(b)** With w1 = 0.25, w2 = −0.11, w3 = 0.78 and the sample (x = 0.63, y = 1),
# compute the gradient of L for each weight by backpropagation.
# What do you notice about their magnitude?
#
# Report ∂L/∂w1, ∂L/∂w2 and ∂L/∂w3 themselves, with their signs.

# %%
Q2B_GRADS = None  # array, shape (3,): (∂L/∂w1, ∂L/∂w2, ∂L/∂w3)


def classification_grads(w1, w2, w3, x, y):
    """Return (∂L/∂w1, ∂L/∂w2, ∂L/∂w3) for ŷ = σ(w3·σ(w2·σ(w1·x))) and the cross-entropy loss.

    Inputs: the weights w1, w2, w3 and the sample x, y, all numbers (y is 0 or 1).
    Output: an array of shape (3,).
    """
    raise NotImplementedError


Q2B_TREND = None  # choice: one of "vanishing", "exploding", "neither"

# %% [markdown]
# **(c)** Regression: remove the last sigmoid, so that ŷ = w3·σ(w2·σ(w1·x)),
# and use the loss L = (ŷ − y)². Derive ∂L/∂w1, ∂L/∂w2 and ∂L/∂w3.
#
# Write the derivation as the function `regression_grads`: it is checked on probe inputs.


# %%
def regression_grads(w1, w2, w3, x, y):
    """Return (∂L/∂w1, ∂L/∂w2, ∂L/∂w3) for ŷ = w3·σ(w2·σ(w1·x)) and L = (ŷ − y)².

    Inputs: the weights w1, w2, w3 and the sample x, y, all numbers.
    Output: an array of shape (3,).
    """
    raise NotImplementedError


# %% [markdown]
# **(d)** Take the regression network of (c) with the same weights, w1 = 0.25, w2 = −0.11 and
# w3 = 0.78, and the sample (x = 0.63, y = 128). Compute the gradients.
# What do you notice about their magnitude?

# %%
Q2D_GRADS = None  # array, shape (3,): (∂L/∂w1, ∂L/∂w2, ∂L/∂w3) with y = 128
Q2D_TREND = None  # choice: one of "vanishing", "exploding", "neither"
Q2_NOTES = None  # text (optional, no points): your remarks on (b) and (d)

# %%
# Self-test: run  grader selftest jhu_hw3.py
