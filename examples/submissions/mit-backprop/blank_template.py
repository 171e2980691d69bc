# %% [markdown]
# # MITx 6.86x Machine Learning with Python: Unit 3 homework, Backpropagation
#
# Fill in every name below and keep each name exactly as it is spelled.
# Leave the line `ASSIGNMENT = "mit-backprop"` as it is: it tells the grader which homework
# this is.
#
# - A value starts as `None`. Its comment says its kind: a number, an array with its shape,
#   or a choice from the listed options. Numbers may be rounded to 3 decimals.
# - A function raises `NotImplementedError` until you write it. The grader calls it on the
#   homework's numbers and on random inputs, so it must work for any values of its arguments.
#   Use numpy; vectors are 1-D arrays.
#
# The network has L layers. Layer l computes
#
# - `z^l = w^l a^{l−1} + b^l`, that is `z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j`,
# - `a^l_j = f(z^l_j)`,
#
# where `w^l_jk` connects neuron k of layer l−1 to neuron j of layer l.
# The loss is C(a^L), and the error of neuron j in layer l is `δ^l_j = ∂C/∂z^l_j`.

# %%
import numpy as np

ASSIGNMENT = "mit-backprop"

# %% [markdown]
# ## The error at the last layer
#
# Write δ^L, the error of the last layer, in terms of ∂C/∂a^L and z^L.


# %%
def delta_last(dC_da, z, f_prime):
    """Return δ^L, the error of the last layer.

    Inputs: dC_da = ∂C/∂a^L and z = z^L, arrays of shape (units in L,); f_prime, a callable
    that returns f'(z) elementwise.
    Output: an array of shape (units in L,).
    """
    raise NotImplementedError


# %% [markdown]
# ## The error at a hidden layer
#
# Write δ^l for a layer l ≠ L from the error δ^{l+1} of the next layer.
# Which of these formulas is `δ^l_j`?
#
# - 0: `Σ_k w^{l+1}_kj δ^{l+1}_k f'(z^l_j)`
# - 1: `Σ_k w^{l−1}_jk δ^{l−1}_j f'(z^l_j)`
# - 2: `Σ_k w^{l+1}_kj δ^{l+1}_k f(z^l_j)`


# %%
def delta_hidden(W_next, delta_next, z, f_prime):
    """Return δ^l, the error of hidden layer l, from the error of layer l+1.

    Inputs: W_next = w^{l+1}, an array of shape (units in l+1, units in l);
    delta_next = δ^{l+1}, an array of shape (units in l+1,); z = z^l, an array of shape
    (units in l,); f_prime, a callable that returns f'(z) elementwise.
    Output: an array of shape (units in l,).
    """
    raise NotImplementedError


# The three formulas for δ^l_j, by index:
#   0: Σ_k w^{l+1}_kj δ^{l+1}_k f'(z^l_j)
#   1: Σ_k w^{l−1}_jk δ^{l−1}_j f'(z^l_j)
#   2: Σ_k w^{l+1}_kj δ^{l+1}_k f(z^l_j)
DELTA_HIDDEN_CHOICE = None  # choice: an int index, 0, 1 or 2 (the formulas above)

# %% [markdown]
# ## Derivatives with respect to the parameters
#
# Write ∂C/∂w^l_jk and ∂C/∂b^l_j in terms of the errors δ^l and the activations a^{l−1}.


# %%
def dC_dw(a_prev, delta):
    """Return ∂C/∂w^l, the matrix of the derivatives ∂C/∂w^l_jk.

    Inputs: a_prev = a^{l−1}, an array of shape (units in l−1,); delta = δ^l, an array of
    shape (units in l,).
    Output: an array of shape (len(delta), len(a_prev)).
    """
    raise NotImplementedError


def dC_db(delta):
    """Return ∂C/∂b^l, the vector of the derivatives ∂C/∂b^l_j.

    Input: delta = δ^l, an array of shape (units in l,).
    Output: an array of shape (units in l,).
    """
    raise NotImplementedError


# %% [markdown]
# ## Activation functions
#
# Give the derivative of the sigmoid σ. What does σ'(z) do as |z| grows?
# Give the derivative of ReLU for z > 0 and for z < 0.


# %%
def sigmoid_prime(z):
    """Return σ'(z), the derivative of the sigmoid, elementwise.

    Input: z, a number or an array of any shape.
    Output: σ'(z), with the shape of z. It must be finite, with no nan, for |z| up to 1000.
    """
    raise NotImplementedError


SIGMOID_PRIME_LARGE_Z = None  # choice: one of "becomes large", "becomes small", "high variance"
RELU_PRIME_POS = None  # number: ReLU'(z) for z > 0
RELU_PRIME_NEG = None  # number: ReLU'(z) for z < 0

# %% [markdown]
# ## A simple network
#
# One neuron per layer:
#
# - z1 = w1·x, a1 = ReLU(z1),
# - z2 = w2·a1 + b, y = σ(z2),
# - C = ½(y − t)².
#
# The parameters are x = 3, t = 1, w1 = 0.01, w2 = −5 and b = −1.
# Compute the loss C, and the derivatives ∂C/∂w1, ∂C/∂w2 and ∂C/∂b.

# %%
SIMPLE_NET_LOSS = None  # number: C at the given parameters
SIMPLE_NET_GRADS = None  # array, shape (3,): (∂C/∂w1, ∂C/∂w2, ∂C/∂b)


def simple_net_grads(x, t, w1, w2, b):
    """Return (∂C/∂w1, ∂C/∂w2, ∂C/∂b) for the simple network.

    Inputs: the input x, the target t and the parameters w1, w2, b, all numbers.
    Output: an array of shape (3,).
    """
    raise NotImplementedError


# %% [markdown]
# ## Stochastic gradient descent
#
# Write one SGD step: the parameters w after an update with learning rate η and gradient ∂C/∂w.


# %%
def sgd_update(w, eta, grad):
    """Return the parameters after one SGD step.

    Inputs: w, the parameters, a number or an array; eta, the learning rate, a number;
    grad = ∂C/∂w, with the shape of w.
    Output: the new parameters, with the shape of w.
    """
    raise NotImplementedError


# %%
# Self-test: run  grader selftest mit_backprop.py
