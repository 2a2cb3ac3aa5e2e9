"""analyse — from raw municipal extracts to evaluation reports.

Where things live:

- ``config``      all paths (project, data, reports) and environment overrides
- ``readers``     reading CSV/XLSX extracts (encoding, separator, header aliases)
- ``values``      CPR numbers, dates and Danish numbers as text → typed values
- ``pseudonym``   keyed HMAC pseudonyms and the key's life cycle
- ``as2007``      the AS2007 cleaner (granted services, visiterede ydelser)
- ``cleaning``    runs every source's cleaner over a raw folder, writes outputs atomically
- ``indicators``  the indicator definitions of the product contract
- ``stats``       trend models and intervals used by the notebooks
- ``runner``      Papermill execution and nbconvert HTML reports
- ``cli``         the ``analyse`` command
"""

__version__ = "0.1.0"
