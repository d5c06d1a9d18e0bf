"""How long a live explorer takes from a slider change to its redrawn picture.

    python benchmarks/slider_latency.py [--changes 40]

For each explorer (nnlib.explore) on its default settings, every control is moved in code, the
way the browser's message would move it: to a neighbouring value, then back to the default, and
so on. The latency of one change is the time from setting the control's value to the moment
the picture widget holds the new PNG (ipywidgets runs the observer synchronously, so this is
the whole of the kernel's work: retraining, drawing, PNG encoding). It does not include the
message to the browser and the browser decoding the PNG (a few ms on one machine).

Prints, per explorer, the median and 90th percentile over all changes, how the median splits
between training and drawing, and the median CPU time of the process per change. The target:
median at most 150 ms. Absolute times on these shared 2-core machines drift by up
to 1.7x (PERF_NOTES.md), and on a busy machine the wall-clock latency grows with the load
while the CPU time does not: the load average is printed with the results, and on an idle
machine the latency is close to the CPU time.

Then the backprop explorer's step control (nnlib.backprop_view): median and 90th percentile of
one step, which only redraws (target: median at most 100 ms).
"""

import argparse
import os
import sys
import time

import numpy as np

from nnlib import explore

BAR_MS = 150
STEP_BAR_MS = 100   # a step of the backprop explorer redraws only: a tighter bar


def moves(explorer):
    """(control, value) pairs: each control to a neighbour of its default and back, in turn."""
    pairs = []
    for control, _ in explorer.controls.values():
        if control.disabled:  # e.g. the scale of "normal" while the scheme is He
            continue
        default = control.value
        if isinstance(control, explore.widgets.FloatLogSlider):
            others = [default * 10 ** 0.3, default * 10 ** -0.3]
        elif isinstance(control, explore.widgets.IntSlider):
            others = [default + 2, default - 2]
        else:  # a menu: the next (up to two) options round the list
            options = [o[1] if isinstance(o, tuple) else o for o in control.options]
            start = options.index(default)
            others = [options[(start + k) % len(options)] for k in (1, 2) if k < len(options)]
        for other in others:
            pairs += [(control, other), (control, default)]
    return pairs


def measure(explorer, changes):
    """Latencies (ms) of `changes` control changes, the training time within each, and the
    process's CPU time for each."""
    trained = []
    run = explorer.run

    def timed_run(settings):
        start = time.perf_counter()
        result = run(settings)
        trained.append(time.perf_counter() - start)
        return result

    explorer.run = timed_run
    shown = []
    explorer.image.observe(lambda change: shown.append(time.perf_counter()), "value")
    pairs = moves(explorer)
    latencies, cpu = [], []
    for k in range(changes):
        control, value = pairs[k % len(pairs)]
        before = explorer.image.value
        start, start_cpu = time.perf_counter(), time.process_time()
        control.value = value
        cpu.append(time.process_time() - start_cpu)
        if explorer.image.value == before or not shown:
            sys.exit(f"{type(explorer).__name__}: the picture did not change when "
                     f"{control.description} was set to {value}")
        latencies.append(shown[-1] - start)
    return 1e3 * np.array(latencies), 1e3 * np.array(trained[-changes:]), 1e3 * np.array(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=40, help="changes per explorer")
    args = parser.parse_args()
    print(f"slider latency, {args.changes} changes per explorer; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"{'explorer':<22}{'median ms':>10}{'p90 ms':>9}{'train ms':>10}{'draw ms':>9}"
          f"{'cpu ms':>8}  bar")
    worst = 0.0
    for cls in (explore.LearningRateExplorer, explore.InitExplorer, explore.Playground):
        explorer = cls()
        explorer.settings()  # warm up: the first frame also lays out the figure
        latency, train, cpu = measure(explorer, args.changes)
        median, p90 = np.median(latency), np.percentile(latency, 90)
        worst = max(worst, median)
        print(f"{cls.__name__:<22}{median:>10.1f}{p90:>9.1f}{np.median(train):>10.1f}"
              f"{median - np.median(train):>9.1f}{np.median(cpu):>8.1f}  "
              f"{'ok' if median <= BAR_MS else 'OVER'}")
    print(f"worst median {worst:.1f} ms: {'within' if worst <= BAR_MS else 'OVER'} the "
          f"{BAR_MS} ms bar")
    median, p90, cpu = step_latency(args.changes)
    print(f"BackpropExplorer, one step of the step control: median {median:.1f} ms, "
          f"p90 {p90:.1f} ms, cpu {cpu:.1f} ms ({'within' if median <= STEP_BAR_MS else 'OVER'}"
          f" the {STEP_BAR_MS} ms bar)")


def step_latency(changes):
    """Median and 90th percentile (ms) of one move of the backprop explorer's step control,
    and the median CPU time of the process per move.

    The steps' numbers are computed once per bug setting, so a step is only a redraw; the
    control walks forward through every step and starts again, as the play button does.
    """
    explorer = explore.BackpropExplorer()
    step = explorer.controls["step"][0]
    latencies, cpu = [], []
    for k in range(changes):
        value = (k + 1) % step.max + 1               # 2, 3, ..., 14, 1, 2, ...: always a move
        start, start_cpu = time.perf_counter(), time.process_time()
        step.value = value
        latencies.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return (1e3 * np.median(latencies), 1e3 * np.percentile(latencies, 90),
            1e3 * np.median(cpu))


if __name__ == "__main__":
    main()
