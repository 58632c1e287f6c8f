"""The pure core: no I/O, no asyncio, no pygls/lsprotocol/httpx. Values in, values out."""
