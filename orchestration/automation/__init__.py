"""Jobs, schedules and sensors: when the loop runs and who hears about it."""
