"""The LLM path: litellm client, the answer check (`guard`), generation and self-correction."""
