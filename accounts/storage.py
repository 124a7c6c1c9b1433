from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Storage for uploads that must never be reachable by URL.

    No location is fixed here, so it follows MEDIA_ROOT as the settings have it
    when a file is saved (tests point that at a temporary folder).
    """
    return FileSystemStorage(base_url=None)
