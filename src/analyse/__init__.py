"""analyse — from raw municipal extracts to evaluation reports.

Where things live:

- ``config``      all paths (project, data, reports) and environment overrides
- ``readers``     reading CSV/XLSX extracts (encoding, separator, header aliases)
- ``values``      CPR numbers, dates and Danish numbers as text → typed values
- ``pseudonym``   keyed HMAC pseudonyms and the key's life cycle
- ``as2007``      the AS2007 cleaner (granted services, visiterede ydelser)
- ``fremmoede``   the attendance cleaner (Psykiatriens Hus); ``gaps`` finds forgotten registrations
- ``rusmiddel``   the treatment-episode cleaner and outcome shares (Rusmiddelcenter)
- ``cleaning``    what every source's cleaner shares: duplicates, rejected rows, row accounting
- ``pipeline``    cleans every source of a raw folder and writes the outputs atomically
- ``indicators``  the indicator definitions of the product contract
- ``suppression`` disclosure control for every published table
- ``stats``       trend models, intervals and tests used by the notebooks
- ``goals``       the agreement's goals, current values and status rules
- ``runner``      Papermill execution and nbconvert HTML reports; ``build`` decides what to rebuild
- ``cli``         the ``analyse`` command
"""

__version__ = "0.1.0"
