from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Storage for uploads that must never be reachable by URL."""
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)
