"""Reports after an activity: attendance figures and the material (slides, recordings) that the
public programme then shows with the activity."""
