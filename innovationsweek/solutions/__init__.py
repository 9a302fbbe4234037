"""Solutions of past weeks ("steal with pride"): finding them across editions, recording that an
activity builds on an earlier one, and copying an activity forward into another week."""
