// The weekly timesheet, enhanced. Without this script the grid still works: totals
// are the server's, the table scrolls sideways on a phone, Tab moves between cells.
//
// - Row, day and week totals (and each weekly cap) follow what is typed, read the
//   way the server reads a cell (projects/timesheet.py: parse_duration).
// - A day over 24 hours or a cap passed is said once, below the grid.
// - The arrow keys move between hour cells as in a spreadsheet.
// - On a narrow screen the grid shows one day at a time, picked from a strip of
//   days that carries each day's total.
// Every sentence shown comes translated from the page (data- attributes).
(function () {
  "use strict";
  var table = document.getElementById("timesheet");
  if (!table) { return; }

  var MINUTES_PER_DAY = 24 * 60;
  var DAYS = 7;

  // --- Reading a cell (mirrors projects/timesheet.py) --------------------------

  var units = JSON.parse(table.dataset.units || "{}");
  var words = Object.keys(units).sort(function (a, b) { return b.length - a.length; });
  function escape(word) { return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  var unitPattern = words.map(escape).join("|");
  var hourPattern = words.filter(function (w) { return units[w] === 60; }).map(escape).join("|");
  var NUMBER = "([0-9]{1,5}(?:[.,][0-9]{1,4})?|[.,][0-9]{1,4})";
  var CLOCK = new RegExp("^([0-9]{1,3}):([0-5][0-9])(?:" + hourPattern + ")?$");
  var BARE = new RegExp("^" + NUMBER + "$");
  var WHOLE = /^[0-9]{1,5}$/;
  var TERM = new RegExp(NUMBER + "(" + unitPattern + ")", "y");
  var TRAILING_MINUTES = /^[0-5]?[0-9]$/;

  function normalize(text) {
    return (text || "").normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  }

  // Exact decimal arithmetic: "1.5" hours is 90 minutes; "1.33" hours is no whole
  // number of minutes and, as on the server, is not read at all.
  function toMinutes(number, unit) {
    var parts = number.replace(",", ".").split(".");
    var fraction = parts[1] || "";
    var scale = Math.pow(10, fraction.length);
    var scaled = (Number(parts[0] || "0") * scale + Number(fraction || "0")) * unit;
    if (scaled % scale !== 0) { return null; }
    return scaled / scale;
  }

  function unitsToMinutes(value) {
    var terms = [];
    var position = 0;
    var match;
    TERM.lastIndex = 0;
    // A sticky search that fails resets lastIndex, so the end of the last term is kept apart.
    while (position < value.length && (match = TERM.exec(value))) {
      terms.push([match[1], units[match[2]]]);
      position = TERM.lastIndex;
    }
    var rest = value.slice(position);
    var shape = terms.map(function (term) { return term[1]; }).join(",");
    if (rest && shape === "60" && TRAILING_MINUTES.test(rest)) {
      terms.push([rest, 1]);  // "1h30": what follows the hours is minutes
    } else if (rest || ["60", "1", "60,1"].indexOf(shape) === -1) {
      return null;
    }
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var minutes = toMinutes(terms[i][0], terms[i][1]);
      if (minutes === null) { return null; }
      if (i === 1 && minutes >= 60) { return null; }  // "1h 75m"
      total += minutes;
    }
    return total;
  }

  // Minutes in a cell as typed: 0 when blank, null when unreadable (the server
  // says why on saving). Over 24 hours still counts, so the day's total shows it.
  function cellMinutes(text) {
    var value = normalize(text);
    if (!value) { return 0; }
    if (WHOLE.test(value) && Number(value) > 24) { return Number(value); }
    var clock = CLOCK.exec(value);
    if (clock) { return Number(clock[1]) * 60 + Number(clock[2]); }
    return BARE.test(value) ? toMinutes(value, 60) : unitsToMinutes(value);
  }

  // Like the server's |hm: 90 → "1:30".
  function hm(minutes) {
    var rest = minutes % 60;
    return Math.floor(minutes / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // --- Totals ------------------------------------------------------------------

  var body = table.tBodies[0];
  var footer = table.tFoot;
  var form = table.closest("form");
  var warnings = document.getElementById("timesheet-warnings");
  var caps = form ? form.querySelectorAll("[data-cap-of]") : [];

  function minutesOf(cell) {
    var input = cell.querySelector("input.cell__hours");
    if (input) {
      var minutes = cellMinutes(input.value);
      input.classList.toggle("is-unreadable", minutes === null);
      return minutes || 0;
    }
    return Number(cell.dataset.minutes || "0");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (token, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : token;
    });
  }

  function setText(selector, text, over) {
    (form || table).querySelectorAll(selector).forEach(function (element) {
      element.textContent = text;
      if (over !== undefined) { element.classList.toggle("is-over", over); }
    });
  }

  function update() {
    var days = [0, 0, 0, 0, 0, 0, 0];
    var byAssignment = {};
    Array.prototype.forEach.call(body.rows, function (row) {
      var total = 0;
      for (var day = 0; day < DAYS; day++) {
        var minutes = minutesOf(row.cells[day + 1]);
        days[day] += minutes;
        total += minutes;
      }
      row.querySelector("[data-row-total]").textContent = hm(total);
      var assignment = row.dataset.assignment;
      byAssignment[assignment] = (byAssignment[assignment] || 0) + total;
    });
    var lines = [];
    days.forEach(function (minutes, day) {
      var over = minutes > MINUTES_PER_DAY;
      setText('[data-day-total="' + day + '"]', hm(minutes), over);
      if (over) {
        var cell = footer.querySelector('td[data-day-total="' + day + '"]');
        lines.push(fill(cell.dataset.overText, { total: hm(minutes) }));
      }
    });
    setText("[data-week-total]", hm(days.reduce(function (a, b) { return a + b; }, 0)));
    Array.prototype.forEach.call(caps, function (item) {
      var used = byAssignment[item.dataset.capOf] || 0;
      var over = used > Number(item.dataset.cap);
      item.textContent = fill(item.dataset.text, { used: hm(used) });
      item.classList.toggle("over-cap", over);
      if (over) { lines.push(fill(item.dataset.overText, { total: hm(used) })); }
    });
    showWarnings(lines);
  }

  // What the error summary already says after a refused save is not said twice.
  var said = Array.prototype.map.call(
    document.querySelectorAll("#error-summary li"),
    function (item) { return item.textContent.trim(); }
  );
  var shown = "";
  function showWarnings(lines) {
    lines = lines.filter(function (line) { return said.indexOf(line) === -1; });
    if (!warnings || lines.join("\n") === shown) { return; }
    shown = lines.join("\n");
    warnings.textContent = "";
    lines.forEach(function (line) {
      var paragraph = document.createElement("p");
      paragraph.textContent = line;
      warnings.appendChild(paragraph);
    });
  }

  table.addEventListener("input", function (event) {
    if (event.target.classList.contains("cell__hours")) { update(); }
  });

  // --- One day at a time on a narrow screen --------------------------------------

  var strip = form && form.querySelector(".day-strip");
  var buttons = strip ? strip.querySelectorAll("button[data-day]") : [];
  var current = -1;

  function showDay(day) {
    if (!strip || day === current) { return; }
    current = day;
    Array.prototype.forEach.call(table.rows, function (row) {
      for (var column = 0; column < DAYS; column++) {
        var cell = row.cells[column + 1];
        if (cell) { cell.classList.toggle("is-other-day", column !== day); }
      }
    });
    Array.prototype.forEach.call(buttons, function (button) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.day) === day));
    });
  }

  function dayOf(element) {
    var cell = element.closest("td, th");
    return cell && cell.cellIndex >= 1 && cell.cellIndex <= DAYS ? cell.cellIndex - 1 : -1;
  }

  // The earliest day with a problem, else today, else the week's first day.
  function firstDay() {
    var days = Array.prototype.map.call(body.querySelectorAll(".cell--invalid"), dayOf);
    if (days.length) { return Math.min.apply(null, days); }
    var today = table.tHead.querySelector(".is-today");
    return today ? dayOf(today) : 0;
  }

  if (strip) {
    strip.hidden = false;
    form.classList.add("is-by-day");
    showDay(firstDay());
    strip.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-day]");
      if (button) { showDay(Number(button.dataset.day)); }
    });
    // A link to a cell (the error summary, the corrections banner) shows its day.
    document.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#m-"]');
      var input = link && document.getElementById(link.getAttribute("href").slice(1));
      if (input && table.contains(input)) { showDay(dayOf(input)); }
    });
  }

  // --- Arrow keys ------------------------------------------------------------------

  function cellsByRow() {
    return Array.prototype.map.call(body.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        return cell.querySelector("input.cell__hours");
      });
    });
  }

  function position(grid, input) {
    for (var r = 0; r < grid.length; r++) {
      var c = grid[r].indexOf(input);
      if (c !== -1) { return [r, c]; }
    }
    return null;
  }

  function find(grid, r, c, dr, dc) {
    for (r += dr, c += dc; r >= 0 && r < grid.length && c >= 0 && c < grid[r].length; r += dr, c += dc) {
      if (grid[r][c]) { return grid[r][c]; }
    }
    return null;
  }

  var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    var move = moves[event.key];
    if (!move || !input.classList.contains("cell__hours") || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if ((event.key === "ArrowLeft" && !atStart) || (event.key === "ArrowRight" && !atEnd)) { return; }
    var grid = cellsByRow();
    var here = position(grid, input);
    var next = here && find(grid, here[0], here[1], move[0], move[1]);
    if (next) {
      event.preventDefault();
      showDay(dayOf(next));  // one day at a time: moving sideways turns the day
      next.focus();
      next.select();
    }
  });

  update();
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
