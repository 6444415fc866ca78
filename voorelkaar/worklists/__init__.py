"""Work lists for the back office: requests, people and referrals, with export."""
