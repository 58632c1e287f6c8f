"""Code actions escalated to a stronger model: explain, fix, docstring, tests (issue 5).

* ``plan``: from a document, a range and diagnostics to the prompt, region and notes of one action.
* ``offers``: the zero-cost action list with tier and estimated cost in each title.
* ``runner``: one action's model call: candidates of the task's tier, failover with restart, retries with
  backoff inside the premium deadline, a short-lived cache of identical requests; every call goes
  through ``Router.guarded_stream``.
* ``outputs``: the explanation Markdown file and where a tests action writes.
* ``service``: ``ActionService``, the editor-neutral entry point the LSP layer calls with an ``ActionUI``.
"""
