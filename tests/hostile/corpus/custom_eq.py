ASSIGNMENT = "jhu-hw3"
# compose: reference+snippet
# Attacks comparisons with objects that lie: each answer below is wrong in substance, but
# compares equal to anything (__eq__ is always True, __ne__ always False) and offers the
# right-looking value through __float__, __array__, __iter__, strip/casefold and so on.
# Expect: every item answered this way is "wrong"; the reference's other items are correct.
# The two scalars at the end (an np.float64 subclass and an int subclass whose substance is
# wrong but whose __float__ says the right value) are expected wrong as well; see the test.
import numpy as np

_RIGHT_W = np.array([[0.3, -0.34], [-0.2, 0.08]])


class _Liar:
    """Equal to everything; its numeric views say what a grader hopes to see."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return 0.25

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __bool__(self):
        return False

    def __array__(self, dtype=None, copy=None):
        return _RIGHT_W

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return _RIGHT_W[i]

    def __abs__(self):
        return 0.0

    def __sub__(self, other):
        return np.zeros_like(other)

    __rsub__ = __sub__


class _LiarArray(np.ndarray):
    """Zeros underneath; equal to anything; its __array__ returns ones."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __array__(self, dtype=None, copy=None):
        return np.ones(self.shape)

    __hash__ = None


class _LiarList(list):
    """[0, 0, 0] underneath; iterates and indexes as [1, 1, 1]; equal to anything."""

    def __eq__(self, other):
        return True

    def __iter__(self):
        return iter([1.0, 1.0, 1.0])

    def __getitem__(self, i):
        return 1.0

    __hash__ = None


class _LiarFloat(float):
    """7.0 underneath; __float__ says 0.25 (the right maximum of sigma')."""

    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.25

    def __abs__(self):
        return 0.0

    __hash__ = float.__hash__


class _LiarStr(str):
    """'neither' underneath; strips and case-folds to 'vanishing'; equal to anything."""

    def __eq__(self, other):
        return True

    def strip(self, *args):
        return "vanishing"

    casefold = lower = strip
    __hash__ = str.__hash__


class _LiarNumpyFloat(np.float64):
    """5.0 underneath; __float__ says 0.0 (the right argmax of sigma')."""

    def __float__(self):
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = np.float64.__hash__


class _LiarInt(int):
    """5 underneath; claims to be huge through __abs__, and 0.0 through __float__."""

    def __abs__(self):
        return 2**64

    def __float__(self):
        return 0.0

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


Q1B_W_NEW = _Liar()
Q2B_GRADS = np.zeros(3).view(_LiarArray)
Q2D_GRADS = _LiarList([0.0, 0.0, 0.0])
Q2A_MAX = _LiarFloat(7.0)
Q2B_TREND = _LiarStr("neither")
Q2A_INF_ATTAINED = _Liar()
Q2A_ARGMAX = _LiarNumpyFloat(5.0)
Q2A_INF = _LiarInt(5)


def grad_W(dL_dP, X):
    return _Liar()


def regression_grads(w1, w2, w3, x, y):
    return np.zeros(3).view(_LiarArray)
