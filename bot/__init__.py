"""newsbot: answers questions about the news with the news itself (verbatim quotes, outlet, date).

The core (`bot.core.NewsCore`) is plain Python; `bot.cli`, `bot.telegram` and `bot.discord` are thin
front ends over it. The offline indexer lives in the sibling package `index`.
"""
