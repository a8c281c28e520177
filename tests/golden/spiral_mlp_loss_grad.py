def grad_loss(params, X, targets):
    t1 = params['W1']
    t2 = X @ t1
    t3 = params['b1']
    hidden = np.tanh(t2 + t3)
    t4 = params['W2']
    t5 = hidden @ t4
    t6 = params['b2']
    scores = t5 + t6
    top = np.max(scores, axis=1, keepdims=True)
    t7 = np.exp(scores - top)
    t8 = np.sum(t7, axis=1, keepdims=True)
    t9 = np.log(t8)
    log_norm = top + t9
    t10 = scores - log_norm
    t11 = t10 * targets
    t12 = X.shape[0]
    t13 = -np.sum(t11) / t12
    # reverse sweep
    # return -np.sum((scores - log_norm) * targets) / X.shape[0]
    dt10 = unbroadcast(unreduce(-(1.0 / t12), t11, None, False) * targets, t10)
    dscores = unbroadcast(dt10, scores)
    dlog_norm = unbroadcast(-dt10, log_norm)
    # log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    dtop = unbroadcast(dlog_norm, top)
    dt14 = unreduce(unbroadcast(dlog_norm, t9) / t8, t7, 1, True) * t7
    dscores = dscores + unbroadcast(dt14, scores)
    dtop = dtop + unbroadcast(-dt14, top)
    # top = np.max(scores, axis=1, keepdims=True)
    dscores = dscores + unreduce(dtop, scores, 1, True) * _extremum_weights(
        scores, top, 1, True)
    # scores = hidden @ params["W2"] + params["b2"]
    dt5 = unbroadcast(dscores, t5)
    dparams = add_at(0.0, params, 'b2', unbroadcast(dscores, t6))
    dhidden = matmul_grad_left(dt5, hidden, t4)
    dparams = add_at(dparams, params, 'W2', matmul_grad_right(dt5, hidden, t4))
    # hidden = np.tanh(X @ params["W1"] + params["b1"])
    dt15 = dhidden * (1.0 - hidden * hidden)
    dt2 = unbroadcast(dt15, t2)
    dparams = add_at(dparams, params, 'b1', unbroadcast(dt15, t3))
    dparams = add_at(dparams, params, 'W1', matmul_grad_right(dt2, X, t1))
    return dparams
