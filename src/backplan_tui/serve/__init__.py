"""The browser room: ``backplan serve ID`` puts one session in participants' browsers.

Built on textual-serve (``server.RoomServer``): each browser connection gets its own app
process on the host, in participant mode (``tui.participant``), bound to that one session.
What backplan adds around textual-serve: a join token (403 and no process without it), a page
that loads nothing from outside the installed packages (offline), an access log without the
token, and the joins and leaves on the facilitator's console.

Nothing here imports Textual: the server process only starts app processes
(``python -m backplan_tui.serve.participant``).
"""
