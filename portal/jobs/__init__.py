"""Background jobs: work too long for a web request, with its progress and outcome on a page.

An app registers each kind of job it owns (``registry.register``, from its
``AppConfig.ready``); ``services.job_start`` records a job and queues it after
commit, returning the job already queued or running under the same key
instead of starting a second one; the ``tasks.job_run`` task runs the
registered function, which reports its progress through a callback. The
starter is told when it ends, and the admin's "Jobs" pages show it.
"""
