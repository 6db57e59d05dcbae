"""Everything sent to clients after a commit: one module per topic, every room name in
``rooms``, coalescing for the chatty topics (tallies, presence).

Both ``web`` and ``realtime`` send (a card posted from an HTML form must reach the room
too), and the background jobs send as well: so sending lives below them, never inside one.
"""
