ASSIGNMENT = "jhu-hw3"
import numpy as np

def grad_W(dL_dP, X)
    return dL_dP @ X.T
