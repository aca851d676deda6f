"""The AI provider layer: one call over the Anthropic and OpenAI SDKs, keys from the keyring.

    providers.py  complete(prompt, ...) -> Completion(text, provider, model, usage); the default
                  model names, overridden by the library settings ai.model.<provider>
"""
