"""The shared kernel: rules every layer and system must compute identically (money, GTIN)."""
