"""Organizations and persons: who the company sells to, and who it talks to there."""
