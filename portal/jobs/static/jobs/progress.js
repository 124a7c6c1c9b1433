// Follows a running job on its admin page: polls its status, updates the bar and the
// text, and reloads the page once the job has ended so its outcome shows.
(function () {
  "use strict";
  var section = document.getElementById("job-progress");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var url = section.dataset.statusUrl;
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-progress-text");
  var state = document.getElementById("job-state");
  var every = 2000;

  function show(status) {
    if (status.total !== null) {
      bar.max = status.total;
      bar.value = status.done;
    }
    bar.textContent = status.progress;
    text.textContent = status.progress;
    state.textContent = status.state_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, every);
        }
      })
      .catch(function () {
        // A dropped request is tried again, a little later.
        window.setTimeout(poll, every * 3);
      });
  }

  window.setTimeout(poll, every);
})();
