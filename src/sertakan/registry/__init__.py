"""The member registry: members (peserta), sponsors and who pays for whom, branches.

It owns the checks a person's identity must pass (NIK, phone, region), the KPJ number,
occupations, and the use cases that enrol a worker and record a sponsorship.
"""
