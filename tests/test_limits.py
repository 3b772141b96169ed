"""The per-user rate limit: the window, the single refusal notice, and memory that stays bounded."""

from newsbot.bot.limits import WINDOW, RateLimit


def test_the_window_slides_and_a_user_is_told_once():
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert limit.wait(1) == 0 and limit.wait(1) == 0
    assert limit.wait(1) == WINDOW
    assert limit.first_refusal(1) and not limit.first_refusal(1)
    assert limit.wait(2) == 0  # others are not held up
    now[0] = WINDOW
    assert limit.wait(1) == 0 and limit.first_refusal(1)  # allowed again, so told again next time


def test_users_who_stopped_asking_are_forgotten():
    # The audit's case: 200k one-off users held 169 MB an hour later. Only the last window's users stay.
    now = [0.0]
    limit = RateLimit(6, clock=lambda: now[0])
    for user in range(400_000):
        limit.wait(user)
        now[0] += 0.001  # 400 s of strangers, one question each
    assert len(limit) <= 120_000  # at most the users of the last two minutes (one per millisecond)
    now[0] += 2 * WINDOW
    limit.wait(-1)
    assert len(limit) == 1


def test_no_limit_keeps_no_state():
    limit = RateLimit(0)
    assert all(limit.wait(user) == 0 for user in range(1000))
    assert len(limit) == 0
