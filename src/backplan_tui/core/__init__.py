"""The domain: models, storage, templates, exports.  Nothing here imports Textual."""
