"""Assertions shared by the per-notebook exercise tests."""
from backprop_lab.exercises import EXERCISES
from backprop_lab.grading import grade


def assert_passes(exercise_id, fn):
    """``fn`` (a correct solution in some style) earns every point of the exercise."""
    result = grade(exercise_id, fn)
    assert result.status == "passed", result.verdict()
    assert result.points == EXERCISES[exercise_id].points


def judged_through_the_wire(ex, fn, seed=1):
    """What the trusted grader decides on ``fn`` for the Exercise ``ex``: the cases go to
    the untrusted side and the outcomes come back through the wire format, as between the
    grader and the sandbox, and the verdict is decided on the trusted side."""
    from backprop_lab.grading import collect, wire
    from backprop_lab.grading.channel import FrameParser
    from backprop_lab.grading.trusted import PendingCheck

    pending = PendingCheck(ex, seed=seed)
    message, arrays = pending.message()
    (message, arrays), = FrameParser().feed(wire.pack(message, arrays))
    reply, out = collect.graded_calls(collect.snapshot(ex), fn, message["cases"], arrays,
                                      report=pending.caught.append)
    (reply, out), = FrameParser().feed(wire.pack(reply, out))
    return pending.judge(reply, out)
