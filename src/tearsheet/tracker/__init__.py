"""tearsheet.tracker.tracker."""
