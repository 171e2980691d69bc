# %% [markdown]
# ## 2. Implementation (`mlp.py`)
#
# Linear1 → f → Linear2 → g on a batch: x has shape (batch, in) and ŷ has shape (batch, out).
# `f_function` and `g_function` are each "relu", "sigmoid" or "identity".
# The constructor is given, as in the course; write `forward`, `backward`,
# `clear_grad_and_cache`, `mse_loss` and `bce_loss` with PyTorch tensors.
# They are checked against PyTorch autograd on the course's three tests and on hidden ones:
# random f and g, random sizes and batch sizes.
#
# **Rule: no autograd.** Inside `MLP` and the two loss functions, do not call `.backward()`
# on a tensor and do not use `torch.autograd`: compute every gradient yourself.
# Such code is flagged for an instructor to review.

# %%
import torch


class MLP:
    def __init__(
        self,
        linear_1_in_features,
        linear_1_out_features,
        f_function,
        linear_2_in_features,
        linear_2_out_features,
        g_function,
    ):
        """
        Args:
            linear_1_in_features: the in features of the first linear layer
            linear_1_out_features: the out features of the first linear layer
            linear_2_in_features: the in features of the second linear layer
            linear_2_out_features: the out features of the second linear layer
            f_function: string for the f function: relu | sigmoid | identity
            g_function: string for the g function: relu | sigmoid | identity
        """
        self.f_function = f_function
        self.g_function = g_function

        self.parameters = dict(
            W1=torch.randn(linear_1_out_features, linear_1_in_features),
            b1=torch.randn(linear_1_out_features),
            W2=torch.randn(linear_2_out_features, linear_2_in_features),
            b2=torch.randn(linear_2_out_features),
        )
        self.grads = dict(
            dJdW1=torch.zeros(linear_1_out_features, linear_1_in_features),
            dJdb1=torch.zeros(linear_1_out_features),
            dJdW2=torch.zeros(linear_2_out_features, linear_2_in_features),
            dJdb2=torch.zeros(linear_2_out_features),
        )

        # put all the cache values you need in self.cache
        self.cache = dict()

    def forward(self, x):
        """
        Args:
            x: tensor of shape (batch_size, linear_1_in_features)
        Return:
            y_hat: tensor of shape (batch_size, linear_2_out_features)
        """
        # TODO: implement the forward pass (no autograd)
        raise NotImplementedError

    def backward(self, dJdy_hat):
        """
        Args:
            dJdy_hat: the gradient tensor of shape (batch_size, linear_2_out_features)
        Fills self.grads: dJdW1, dJdb1, dJdW2 and dJdb2, each in its parameter's shape.
        """
        # TODO: implement the backward pass (no autograd)
        raise NotImplementedError

    def clear_grad_and_cache(self):
        """Set every gradient in self.grads to zero and empty self.cache."""
        # TODO: implement
        raise NotImplementedError


# %%
def mse_loss(y, y_hat):
    """
    Args:
        y: the label tensor of shape (batch_size, linear_2_out_features)
        y_hat: the prediction tensor of shape (batch_size, linear_2_out_features)

    Return:
        J: scalar loss, the mean over batch_size x linear_2_out_features,
           as torch.nn.functional.mse_loss
        dJdy_hat: the gradient tensor of shape (batch_size, linear_2_out_features)
    """
    # TODO: implement the MSE loss (no autograd)
    raise NotImplementedError


def bce_loss(y, y_hat):
    """
    Args:
        y: the label tensor of shape (batch_size, linear_2_out_features)
        y_hat: the prediction tensor of shape (batch_size, linear_2_out_features)

    Return:
        J: scalar loss, the mean over batch_size x linear_2_out_features,
           as torch.nn.BCELoss()
        dJdy_hat: the gradient tensor of shape (batch_size, linear_2_out_features)
    """
    # TODO: implement the BCE loss (no autograd)
    raise NotImplementedError
