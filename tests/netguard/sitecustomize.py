"""Every Python process a test starts guards its network too (see netguard.py)."""
import os

if os.environ.get("ATPBIB_TEST_NETGUARD_LOG"):
    import netguard

    netguard.install()
