"""What staff do with cases: the front desk's acceptance queue and the departments' task queues."""
