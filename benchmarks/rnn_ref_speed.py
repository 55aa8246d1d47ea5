"""How fast is rnn_ref's forward plus backward, against PyTorch and against the matrix products it must do?

For the vanilla RNN, the GRU and the LSTM, times three things on the CPU, in float64, on the same sizes:

- rnn_ref: `*_forward(x, a0, parameters)` then `*_backward(da, caches)` (dx, da0 and every weight's gradient;
  the forward also computes the softmax outputs y_pred at every step, which the PyTorch side does not);
- PyTorch: torch.nn.RNN (tanh) / GRU / LSTM, forward, then `loss.backward()` on loss = sum(upstream * out),
  with gradients for the input, h0 and the weights (torch.nn.GRU is another GRU formula, of the same cost);
- the floor: the bare NumPy matrix products those two passes cannot avoid, of the same shapes:
  forward, at every step, the gates' weights (stacked) times [a<t-1>; x<t>], and once the output layer
  Wy @ a over all steps; backward, at every step, the transposed product W^T dz (giving da_prev and dxt),
  and once the weights' gradients dz @ [a<t-1>; x<t>]^T over all steps. The GRU's candidate reads
  Gamma_r * a<t-1>, so its product is separate from the two gates', forward and backward.

Runs are interleaved (rnn_ref, PyTorch, floor, rnn_ref, ...) and each time is the median of --repeats runs.
NumPy (BLAS) and PyTorch use the same number of threads (--threads, default 1); the BLAS variables are set
before NumPy is imported, and threadpoolctl, when installed, pins them again.

    .venv/bin/python benchmarks/rnn_ref_speed.py [--batch 32] [--steps 50] [--n-x 64] [--n-a 128] [--n-y 10]
                                                 [--repeats 15] [--threads 1] [--clock wall|cpu]
                                                 [--models rnn gru lstm]

The course's goal, at the default sizes: rnn_ref at most 0.6 of PyTorch's time and at most 1.5 times the floor.
The last column, floor/torch, is the least ref/torch can be: no implementation that does these products takes
less than the floor. (On the machine of the README it is 0.5 to 0.6, so 0.6 of PyTorch would leave almost
nothing, or nothing, for the element-wise work and the loop over time.)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--batch", type=int, default=32, help="m, examples per batch (default 32)")
parser.add_argument("--steps", type=int, default=50, help="T_x, time steps (default 50)")
parser.add_argument("--n-x", type=int, default=64, help="input features (default 64)")
parser.add_argument("--n-a", type=int, default=128, help="hidden units (default 128)")
parser.add_argument("--n-y", type=int, default=10, help="output classes of rnn_ref's softmax (default 10)")
parser.add_argument("--repeats", type=int, default=15, help="runs of each, the median is reported (min 10)")
parser.add_argument("--threads", type=int, default=1, help="threads for NumPy's BLAS and PyTorch (default 1)")
parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall: elapsed time; cpu: this process's CPU time, steadier on a busy machine")
parser.add_argument("--models", nargs="+", default=["rnn", "gru", "lstm"], choices=["rnn", "gru", "lstm"])
ARGS = parser.parse_args()

# BLAS reads these when NumPy is first imported, so they are set first. OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE, if the machine sets them, are left alone.
for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"]:
    os.environ[variable] = str(ARGS.threads)

import numpy as np  # noqa: E402

try:
    import torch
except ImportError:
    sys.exit("this benchmark compares with PyTorch: .venv/bin/pip install torch==2.13.0")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import rnn_ref as R  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
    threadpool_limits(ARGS.threads)
except ImportError:
    pass
torch.set_num_threads(ARGS.threads)


# ---------------------------------------------------------------- the three contestants

def make_rnn_ref(model, rng, n_x, n_a, n_y, m, T):
    """A function running rnn_ref's forward and backward once, on fixed random inputs."""
    x, a0, da = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m, T))
    parameters = getattr(R, "initialize_" + model)(n_x, n_a, n_y)
    forward, backward = getattr(R, model + "_forward"), getattr(R, model + "_backward")

    def run():
        caches = forward(x, a0, parameters)[-1]
        return backward(da, caches)
    return run


def make_torch(model, rng, n_x, n_a, m, T):
    """A function running torch.nn.RNN/GRU/LSTM forward and loss.backward() once, on fixed random inputs."""
    torch.manual_seed(0)
    if model == "rnn":
        module = torch.nn.RNN(n_x, n_a, nonlinearity="tanh", dtype=torch.float64)
    else:
        module = {"gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[model](n_x, n_a, dtype=torch.float64)
    x = torch.tensor(rng.standard_normal((T, m, n_x)), requires_grad=True)
    h0 = torch.tensor(rng.standard_normal((1, m, n_a)), requires_grad=True)
    initial = (h0, torch.zeros(1, m, n_a, dtype=torch.float64)) if model == "lstm" else h0
    upstream = torch.tensor(rng.standard_normal((T, m, n_a)))

    def run():
        for tensor in [x, h0, *module.parameters()]:
            tensor.grad = None
        out, _ = module(x, initial)
        (out * upstream).sum().backward()
    return run


def make_floor(model, rng, n_x, n_a, n_y, m, T):
    """A function doing, as bare NumPy products, the matrix products of one forward and backward pass."""
    k = n_a + n_x  # rows of the stacked column [a<t-1>; x<t>]
    # The rows of the weights in each product done at every step: all the gates stacked, except the GRU's
    # candidate, whose product comes after its relevance gate.
    blocks = {"rnn": [n_a], "gru": [2 * n_a, n_a], "lstm": [4 * n_a]}[model]
    W = [rng.standard_normal((rows, k)) for rows in blocks]
    concat = rng.standard_normal((T, k, m))  # [a<t-1>; x<t>] of every step, each a contiguous (k, m)
    dz = [rng.standard_normal((T, rows, m)) for rows in blocks]  # the gates' pre-activation gradients
    concat_rows = rng.standard_normal((m * T, k))  # the same, one row per example and step
    dz_all = [rng.standard_normal((rows, m * T)) for rows in blocks]
    Wy, a_all = rng.standard_normal((n_y, n_a)), rng.standard_normal((n_a, m * T))

    def run():
        for t in range(T):  # forward
            for W_g in W:
                np.dot(W_g, concat[t])
        np.dot(Wy, a_all)  # the output layer, all steps at once
        for t in range(T):  # backward through time
            for W_g, dz_g in zip(W, dz):
                np.dot(W_g.T, dz_g[t])
        for dz_g in dz_all:  # the weights' gradients, all steps at once
            np.dot(dz_g, concat_rows)
    return run


# ---------------------------------------------------------------- timing

def median_times(runs, repeats, clock):
    """{name: median seconds}, running the functions in turn (interleaved), after one warm-up run each."""
    for run in runs.values():
        run()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = clock()
            run()
            times[name].append(clock() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main():
    m, T, n_x, n_a, n_y = ARGS.batch, ARGS.steps, ARGS.n_x, ARGS.n_a, ARGS.n_y
    repeats = max(ARGS.repeats, 10)
    clock = {"wall": time.perf_counter, "cpu": time.process_time}[ARGS.clock]
    print(f"batch {m}, T {T}, n_x {n_x}, n_a {n_a}, n_y {n_y}, float64, {ARGS.threads} thread(s), "
          f"median of {repeats} ({ARGS.clock} time); numpy {np.__version__}, torch {torch.__version__}")
    print(f"{'model':6} {'rnn_ref ms':>11} {'torch ms':>9} {'floor ms':>9} {'ref/torch':>10} {'ref/floor':>10} "
          f"{'floor/torch':>12}")
    for model in ARGS.models:
        rng = np.random.default_rng(0)
        t = median_times({"rnn_ref": make_rnn_ref(model, rng, n_x, n_a, n_y, m, T),
                          "torch": make_torch(model, rng, n_x, n_a, m, T),
                          "floor": make_floor(model, rng, n_x, n_a, n_y, m, T)}, repeats, clock)
        print(f"{model:6} {1e3 * t['rnn_ref']:11.2f} {1e3 * t['torch']:9.2f} {1e3 * t['floor']:9.2f} "
              f"{t['rnn_ref'] / t['torch']:10.2f} {t['rnn_ref'] / t['floor']:10.2f} {t['floor'] / t['torch']:12.2f}")
    print("goal: ref/torch at most 0.6, ref/floor at most 1.5; ref/torch cannot go below floor/torch")


if __name__ == "__main__":
    main()
