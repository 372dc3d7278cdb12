"""The LLM path: litellm client, the output guard, generation and self-correction."""
