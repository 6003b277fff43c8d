"""Stories: the prompt, the quality gates and the writer that stores tonight's story."""
