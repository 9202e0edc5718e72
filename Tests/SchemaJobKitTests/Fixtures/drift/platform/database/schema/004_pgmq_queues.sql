SELECT pgmq.create('gpu_reservations');
