"""Support: contractors' questions, the answer clock staff work to, and its public record."""
