// Keyboard moves between the timesheet's hour cells like a spreadsheet: the arrow
// keys go up and down a column, and left or right once the caret is at an edge.
// Without this script the grid still works with Tab; nothing depends on it.
(function () {
  "use strict";
  var table = document.getElementById("timesheet");
  if (!table) { return; }

  function cellsByRow() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
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
      next.focus();
      next.select();
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
