# %% [markdown]
# # MITx 6.86x Machine Learning with Python: Unit 3 homework
#
# The whole homework, in four pages: 1 Neural Networks, 2 LSTM, 3 Backpropagation and
# 4 Word Embeddings.
#
# Fill in every name below and keep each name exactly as it is spelled.
# Leave the line `ASSIGNMENT = "mit-unit3"` as it is: it tells the grader which homework
# this is.
#
# - A value starts as `None`. Its comment says its kind: a number, an array with its shape,
#   a choice from the listed options, or several choices from them. Numbers may be rounded to
#   3 decimals unless the question asks for more.
# - A function raises `NotImplementedError` until you write it. The grader calls it on the
#   homework's numbers and on random inputs, so it must work for any values of its arguments.
#   Use numpy; vectors are 1-D arrays.
#
# **Answers may be expressions.** As in the course's answer boxes, `FEED_FORWARD_O`,
# `OUTPUT_O1`, `MAX_GAP_BETA1` and `MAX_GAP_BETA3` may be given as numbers or as strings in the
# course's calculator syntax, such as `"e^15/(e^15+1)"`, `"1/(1+e^2)"` or `"ln(999)/3"`.
#
# - Operators: `+`, `-`, `*`, `/` and `^` for powers, with parentheses.
# - Constants: `e` and `pi`.
# - Functions: `exp`, `ln`, `log`, `sqrt`, `sin`, `cos`, `tanh`.
# - An array may mix numbers and strings, for example `[0.25, "1/(1+e^3)", 0.5]`.
#
# A string that does not parse is wrong. Every other answer must be a plain value.

# %%
import numpy as np

ASSIGNMENT = "mit-unit3"

# %% [markdown]
# ## Page 1: Neural Networks
#
# A network with the input x = (x1, x2), four hidden ReLU units, two ReLU output units and a
# softmax:
#
# - `z_j = x1·W_1j + x2·W_2j + W_0j` and `f(z_j) = max(z_j, 0)`, for j = 1, 2, 3, 4;
# - `u_k = Σ_j f(z_j)·V_jk + V_0k` and `f(u_k) = max(u_k, 0)`, for k = 1, 2;
# - `o_k = e^{β f(u_k)} / Σ_k' e^{β f(u_k')}`, with β = 1 unless a question says otherwise.
#
# The parameters of the hidden units, one row per unit j as (W_1j, W_2j, W_0j):
#
# - j = 1: (1, 0, −1)
# - j = 2: (0, 1, −1)
# - j = 3: (−1, 0, −1)
# - j = 4: (0, −1, −1)
#
# The parameters of the output units, one row per unit k as (V_1k, V_2k, V_3k, V_4k, V_0k):
#
# - k = 1: (1, 1, 1, 1, 0)
# - k = 2: (−1, −1, −1, −1, 2)
#
# ### Feed forward
#
# Take the input x = (3, 14). What is the output (o1, o2) of the network?
# Give at least 9 decimal places: each output is checked to within 5e-10.
# Then write `feed_forward`, which computes the output for any input.

# %%
# Numbers or calculator expressions (see the top of this file).
FEED_FORWARD_O = None  # array, shape (2,): (o1, o2) at x = (3, 14), to 9 decimals


def feed_forward(x):
    """Return the output (o1, o2) of the network above, with β = 1.

    Input: x = (x1, x2), an array of shape (2,).
    Output: an array of shape (2,). It must be finite, with no nan, for large x too.
    """
    raise NotImplementedError


# %% [markdown]
# ### Decision boundaries
#
# Each hidden unit j splits the (x1, x2) plane along the line z_j = 0.
# What is the area of the region of the plane where all four z_j are negative, that is where
# z1 < 0, z2 < 0, z3 < 0 and z4 < 0?

# %%
BOUNDARY_AREA = None  # number: the area of the region where every z_j is negative

# %% [markdown]
# ### Output of the network
#
# Keep the parameters V of the output units. What is o1 when f(z1) + f(z2) + f(z3) + f(z4)
# equals 1? When it equals 0? When it equals 3?

# %%
# o1 when f(z1) + f(z2) + f(z3) + f(z4) = 1, then 0, then 3.
# Numbers or calculator expressions (see the top of this file).
OUTPUT_O1 = None  # array, shape (3,): o1 for the sums 1, 0 and 3, in that order

# %% [markdown]
# ### Inverse temperature
#
# β is the inverse temperature of the softmax. We want o2 to stay at or above 1/1000.
# What is the largest value of f(u1) − f(u2) for which o2 ≥ 1/1000 when β = 1?
# And when β = 3? As β grows, does that largest value become larger or smaller?

# %%
# A number or a calculator expression (see the top of this file), each.
MAX_GAP_BETA1 = None  # number: the largest f(u1) − f(u2) with o2 ≥ 1/1000, for β = 1
MAX_GAP_BETA3 = None  # number: the largest f(u1) − f(u2) with o2 ≥ 1/1000, for β = 3
BETA_EFFECT = None  # choice: one of "larger", "smaller"

# %% [markdown]
# ## Page 2: LSTM
#
# A scalar LSTM, with the input x_t and the state h_t at step t:
#
# - forget gate: `f_t = σ(W^{f,h} h_{t−1} + W^{f,x} x_t + b_f)`
# - input gate: `i_t = σ(W^{i,h} h_{t−1} + W^{i,x} x_t + b_i)`
# - output gate: `o_t = σ(W^{o,h} h_{t−1} + W^{o,x} x_t + b_o)`
# - memory cell: `c_t = f_t·c_{t−1} + i_t·tanh(W^{c,h} h_{t−1} + W^{c,x} x_t + b_c)`
# - state: `h_t = o_t·tanh(c_t)`
#
# The parameters:
#
# - W^{f,h} = 0, W^{f,x} = 0, b_f = −100;
# - W^{i,h} = 0, W^{i,x} = 100, b_i = 100;
# - W^{o,h} = 0, W^{o,x} = 100, b_o = 0;
# - W^{c,h} = −100, W^{c,x} = 50, b_c = 0.
#
# Start from h_{−1} = 0 and c_{−1} = 0. Compute by these rules:
#
# - round h_t to the nearest integer at every step, with ±0.5 rounded to 0;
# - take σ(v) ≈ 1 and tanh(v) ≈ 1 for v ≥ 1, and σ(v) ≈ 0 and tanh(v) ≈ −1 for v ≤ −1.
#
# ### LSTM states
#
# Give the states h_0, ..., h_5 for the input sequence x_0, ..., x_5 = 0, 0, 1, 1, 1, 0.
# Give the states h_0, ..., h_4 for the input sequence x_0, ..., x_4 = 1, 1, 0, 1, 1.
# Each state is an integer, checked exactly.
# Then write `lstm_states`, which computes the states for any input sequence.

# %%
LSTM_STATES_1 = None  # array, shape (6,): h_0, ..., h_5 for x = 0, 0, 1, 1, 1, 0 (integers)
LSTM_STATES_2 = None  # array, shape (5,): h_0, ..., h_4 for x = 1, 1, 0, 1, 1 (integers)


def lstm_states(xs):
    """Return the states h_0, ..., h_{T−1} of the LSTM above, computed by the page's rules.

    Input: xs = [x_0, ..., x_{T−1}], a list of T ints, each 0 or 1, with 1 ≤ T ≤ 20.
    Output: a list of T ints. The list xs must not be changed.
    """
    raise NotImplementedError


# %% [markdown]
# ### What the state carries
#
# What information does the state h_t carry?
#
# - 0: whether the current run of consecutive ones has odd length;
# - 1: how many ones have been seen so far;
# - 2: the last input;
# - 3: whether any one has been seen so far.

# %%
# The four options, by index:
#   0: whether the current run of consecutive ones has odd length
#   1: how many ones have been seen so far
#   2: the last input
#   3: whether any one has been seen so far
LSTM_INFO = None  # choice: an int index, 0, 1, 2 or 3 (the options above)

# %% [markdown]
# ## Page 3: Backpropagation
#
# The network has L layers. Layer l computes
#
# - `z^l = w^l a^{l−1} + b^l`, that is `z^l_j = Σ_k w^l_jk a^{l−1}_k + b^l_j`,
# - `a^l_j = f(z^l_j)`,
#
# where `w^l_jk` connects neuron k of layer l−1 to neuron j of layer l.
# The loss is C(a^L), and the error of neuron j in layer l is `δ^l_j = ∂C/∂z^l_j`.
#
# ### The error at the last layer
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
# ### The error at a hidden layer
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
# ### Derivatives with respect to the parameters
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
# ### Activation functions
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
# ### A simple network
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
# ### Stochastic gradient descent
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


# %% [markdown]
# ## Page 4: Word Embeddings
#
# Two networks classify sequences of words.
#
# - The first takes one-hot inputs over a dictionary of all the words of the training set and
#   the test set.
# - The second takes each word as given by a pre-trained word embedding.
#
# Both use tanh activations, random initialisation and the same training set. At test time
# each is given a sequence of words that never appeared in training.
# Which of these statements are true? Choose all that apply.
#
# - 0: The first network cannot classify the sequence correctly.
# - 1: The second network cannot classify the sequence correctly.
# - 2: The second network has a fighting chance at classifying the sequence.
# - 3: The first network has a fighting chance at classifying the sequence.

# %%
# The four statements, by index:
#   0: The first network cannot classify the sequence correctly.
#   1: The second network cannot classify the sequence correctly.
#   2: The second network has a fighting chance at classifying the sequence.
#   3: The first network has a fighting chance at classifying the sequence.
# Choose all that apply: a list or a set of indices, such as [1, 3]. Order does not matter.
EMBEDDINGS_TRUE = None  # choices: a list or set of option indices, 0 to 3 (the statements above)

# %%
# Self-test: run  grader selftest mit_unit3.py
