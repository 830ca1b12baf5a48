"""Personal tasks: model, repository and service."""
