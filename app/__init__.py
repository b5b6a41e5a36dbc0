"""TechSupport bot: an IT help desk inside Telegram."""

__version__ = "1.0.0"
