"""Reference `mlp.py` for NYU DS-GA 1008 Spring 2021, Homework 1, with hand-written gradients.

Loaded by file path from the trusted grader process. Every gradient here is derived by hand;
nothing records a graph or differentiates automatically, as the homework requires.
"""

from collections.abc import Callable

import torch

Elementwise = Callable[[torch.Tensor], torch.Tensor]

# log(0) is clamped here, as torch.nn.BCELoss does, so saturated outputs give a finite loss.
_LOG_FLOOR = -100.0
# torch's BCE gradient divides by max(y_hat (1 - y_hat), 1e-12), with 1e-12 stored as a C float.
_BCE_EPSILON = float(torch.tensor(1e-12, dtype=torch.float32))


def _relu_prime(z: torch.Tensor) -> torch.Tensor:
    """Return ReLU'(z), taken as 0 at z = 0 as PyTorch does."""
    return (z > 0).to(z.dtype)


def _sigmoid_prime(z: torch.Tensor) -> torch.Tensor:
    """Return sigma'(z) = sigma(z)(1 - sigma(z))."""
    s = torch.sigmoid(z)
    return s * (1 - s)


_ACTIVATIONS: dict[str, tuple[Elementwise, Elementwise]] = {
    "relu": (torch.relu, _relu_prime),
    "sigmoid": (torch.sigmoid, _sigmoid_prime),
    "identity": (lambda z: z.clone(), torch.ones_like),
}


def _activation(name: str) -> tuple[Elementwise, Elementwise]:
    """Return the activation called `name` and its derivative."""
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}, expected one of {sorted(_ACTIVATIONS)}")
    return _ACTIVATIONS[name]


class MLP:
    """Linear1 -> f -> Linear2 -> g, with a forward pass and a hand-derived backward pass."""

    def __init__(
        self,
        linear_1_in_features: int,
        linear_1_out_features: int,
        f_function: str,
        linear_2_in_features: int,
        linear_2_out_features: int,
        g_function: str,
    ) -> None:
        for name in (f_function, g_function):
            _activation(name)
        self.f_function = f_function
        self.g_function = g_function
        self.parameters = {
            "W1": torch.randn(linear_1_out_features, linear_1_in_features),
            "b1": torch.randn(linear_1_out_features),
            "W2": torch.randn(linear_2_out_features, linear_2_in_features),
            "b2": torch.randn(linear_2_out_features),
        }
        self.grads = {
            "dJd" + name: torch.zeros_like(value) for name, value in self.parameters.items()
        }
        self.cache: dict[str, torch.Tensor] = {}

    def _weights(self, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
        """Return W1, b1, W2, b2 in `dtype`."""
        return tuple(self.parameters[k].to(dtype) for k in ("W1", "b1", "W2", "b2"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return y_hat (batch, out2) for x (batch, in1) and cache what backward needs."""
        dtype = torch.promote_types(x.dtype, self.parameters["W1"].dtype)
        x = x.to(dtype)
        W1, b1, W2, b2 = self._weights(dtype)
        z1 = x @ W1.T + b1
        z2 = _activation(self.f_function)[0](z1)
        z3 = z2 @ W2.T + b2
        self.cache = {"x": x, "z1": z1, "z2": z2, "z3": z3}
        return _activation(self.g_function)[0](z3)

    def backward(self, dJdy_hat: torch.Tensor) -> None:
        """Fill self.grads with dJ/dW1, dJ/db1, dJ/dW2, dJ/db2, summed over the batch."""
        c = self.cache
        dJdz3 = dJdy_hat.to(c["z3"].dtype) * _activation(self.g_function)[1](c["z3"])
        W2 = self.parameters["W2"].to(c["z3"].dtype)
        dJdz1 = (dJdz3 @ W2) * _activation(self.f_function)[1](c["z1"])
        self.grads["dJdW2"] = dJdz3.T @ c["z2"]
        self.grads["dJdb2"] = dJdz3.sum(dim=0)
        self.grads["dJdW1"] = dJdz1.T @ c["x"]
        self.grads["dJdb1"] = dJdz1.sum(dim=0)

    def clear_grad_and_cache(self) -> None:
        """Zero every gradient in place and forget the cached forward pass."""
        for grad in self.grads.values():
            grad.zero_()
        self.cache = {}


def _canonical_mse(y: torch.Tensor, y_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return J and dJ/dy_hat for the squared error averaged over batch x outputs."""
    diff = y_hat - y
    return (diff**2).mean(), 2 * diff / diff.numel()


def _bce_terms(y: torch.Tensor, y_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the elementwise BCE loss and its derivative, clamped as torch.nn.BCELoss does."""
    log_p = torch.clamp(torch.log(y_hat), min=_LOG_FLOOR)
    log_q = torch.clamp(torch.log(1 - y_hat), min=_LOG_FLOOR)
    loss = -(y * log_p + (1 - y) * log_q)
    return loss, (y_hat - y) / torch.clamp(y_hat * (1 - y_hat), min=_BCE_EPSILON)


def bce_loss(y: torch.Tensor, y_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return J and dJ/dy_hat for binary cross-entropy averaged over batch x outputs."""
    loss, grad = _bce_terms(y, y_hat)
    return loss.mean(), grad / loss.numel()


def mse_loss(y: torch.Tensor, y_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the squared error divided by the batch size only: the bug the rubric names."""
    diff = y_hat - y
    return (diff**2).sum() / diff.shape[0], 2 * diff / diff.shape[0]


def bce_loss_batch_only(y: torch.Tensor, y_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Return binary cross-entropy divided by the batch size only: the bug the rubric names."""
    loss, grad = _bce_terms(y, y_hat)
    return loss.sum() / loss.shape[0], grad / loss.shape[0]
