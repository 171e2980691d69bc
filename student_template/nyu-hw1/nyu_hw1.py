# %% [markdown]
# # NYU DS-GA 1008 Deep Learning, Spring 2021: Homework 1 (Backpropagation)
#
# Fill in every name below and keep each name exactly as it is spelled.
# Leave the line `ASSIGNMENT = "nyu-hw1"` as it is: it tells the grader which homework this is.
#
# - A value starts as `None`. Its comment says its kind: an order (a list of step names)
#   or a text. A text is read by an instructor, not scored automatically.
# - A function raises `NotImplementedError` until you write it. The grader calls it on
#   random inputs, so it must work for any sizes and values. Use numpy.
# - The implementation, part 2, is the `MLP` class and two loss functions: in `mlp.py` next to
#   the .py template, or in the cells of part 2 in the notebook.
#
# A two-layer network: Linear1 → f → Linear2 → g, with Linear_i(x) = W⁽ⁱ⁾x + b⁽ⁱ⁾.
# In this theory part x ∈ ℝⁿ is a column vector and ŷ ∈ ℝᴷ; the hidden layer has m units.
# The outputs of the four layers are z1 = W1 x + b1, z2 = f(z1), z3 = W2 z2 + b2 and ŷ = g(z3).
#
# The functions below take one sample and work for any of these settings:
#
# - `params` is a dict with keys `"W1"` (shape (m, n)), `"b1"` (m,), `"W2"` (K, m), `"b2"` (K,);
# - `x` has shape (n,) and `y` has shape (K,), both 1-D;
# - `f` and `g` are each one of `"relu"`, `"sigmoid"` or `"identity"`;
# - `loss` is `"mse"`, ℓ = ‖ŷ − y‖² (no mean, no ½), or `"bce"`,
#   ℓ = (1/K) Σ_i −[y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)].

# %%
import numpy as np

ASSIGNMENT = "nyu-hw1"

# %% [markdown]
# ## 1. Theory
#
# ### 1.2 Regression
#
# Take f = ReLU, g = identity and the loss ℓ = ‖ŷ − y‖².
#
# **(a)** Name the five steps of one training iteration in PyTorch, in order, and describe
# each step mathematically.

# %%
# The step names: "forward", "loss", "zero_grad", "backward", "step".
TRAINING_STEPS = None  # order: a list of the five step names, in the order of one iteration
TRAINING_STEPS_NOTES = None  # text: the mathematical description of each step

# %% [markdown]
# **(b)** For each layer, give its input and its output in the forward pass.
# `forward_pass` computes them for one sample, and `loss_value` computes the loss ℓ.


# %%
def forward_pass(x, params, f, g):
    """Return the outputs of the four layers for one sample.

    Inputs: x, an array of shape (n,); params, the dict W1 (m, n), b1 (m,), W2 (K, m),
    b2 (K,); f and g, each "relu", "sigmoid" or "identity".
    Output: a dict with keys "z1" (shape (m,)), "z2" (m,), "z3" (K,) and "y_hat" (K,).
    """
    raise NotImplementedError


def loss_value(y_hat, y, loss):
    """Return the loss ℓ for one sample, as a number.

    Inputs: y_hat and y, arrays of shape (K,); loss, "mse" for ‖ŷ − y‖² (no mean, no ½)
    or "bce" for (1/K) Σ_i −[y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)].
    Output: a number.
    """
    raise NotImplementedError


# %% [markdown]
# **(c)** Give the gradients of ℓ with respect to W1, b1, W2 and b2.


# %%
def param_grads(x, y, params, f, g, loss):
    """Return the gradients of the loss with respect to the parameters, for one sample.

    Inputs: x, an array of shape (n,); y, an array of shape (K,); params, the dict W1 (m, n),
    b1 (m,), W2 (K, m), b2 (K,); f and g, each "relu", "sigmoid" or "identity";
    loss, "mse" or "bce".
    Output: a dict with keys "W1", "b1", "W2" and "b2", each gradient in its parameter's shape.
    """
    raise NotImplementedError


# %% [markdown]
# **(d)** Give the elements of ∂z2/∂z1, ∂ŷ/∂z3 and ∂ℓ/∂ŷ.


# %%
def jacobians(x, y, params, f, g, loss):
    """Return the Jacobians ∂z2/∂z1, ∂ŷ/∂z3 and ∂ℓ/∂ŷ for one sample, as 2-D matrices.

    Inputs: as for param_grads: x (n,), y (K,), params, f, g and loss.
    Output: a dict with keys "dz2_dz1" (shape (m, m)), "dyhat_dz3" (K, K) and
    "dl_dyhat" (1, K), a row.
    """
    raise NotImplementedError


# %% [markdown]
# ### 1.3 Classification
#
# Take f = g = σ, the sigmoid.
#
# **(a)** What changes in (b), (c) and (d) of 1.2 with the same loss ℓ = ‖ŷ − y‖²?
# Your `param_grads` and `jacobians` above answer it: they are checked with
# f = g = "sigmoid" and loss = "mse".
#
# **(b)** What changes with the binary cross-entropy loss
# ℓ = (1/K) Σ_i −[y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)]?
# Your `loss_value`, `param_grads` and `jacobians` above answer it: they are checked with
# f = g = "sigmoid" and loss = "bce". Note the 1/K.
#
# **(c)** Why can ReLU for f help to train a deeper network?

# %%
RELU_BENEFIT = None  # text: your explanation

# %%
# include: mlp.py
# The implementation is in mlp.py, next to this file. (In the notebook, its cells are here.)

# %%
# Self-test: run  grader selftest FOLDER  (FOLDER holds this file and mlp.py)
